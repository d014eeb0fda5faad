"""The English rules for reading flags from prose: plain data, read by `prose.match`.

A rule is `(confidence, pattern)` or `(confidence, pattern, needs)`. A pattern is a
regular expression (matched case-insensitively, within one sentence) whose `{slots}`
stand for the person (`{them}`: their name, an alias, their first name, a link to them,
or she/he/they), for you (`{i}`: "I", or a sentence that starts with its verb, as notes
do: "Told Ben how low I've been"), for both of you (`{we}`) and for the word lists in
`WORDS` (`{topic}` is any word of `WORDS["topic"]`). `needs` asks the rest of the
sentence after the match for a `topic` (something heavy: a divorce, a diagnosis, debt),
a `feeling` (lonely, scared, a fraud), or `either`, and refuses a rest that is about
somebody else ("she told me that Tom's sister got engaged"). Every rule is also refused
when a negation or an intention comes before it in its clause ("I didn't tell him", "I'll
tell her"), and in a question. `docs/flags.md` says what these catch and what they miss.

A flag is suggested when one of its rules matches; the confidence is the rule's, less
`PRONOUN_DOUBT` when the person is only "she"/"he"/"they" on a line that links someone
else too (who is "she"?). Suggestions at or above `DEFAULT_CONFIDENCE` are what
`vaultcrm flags apply` writes and `infer_flags: true` uses.

These are data, not code: another language is another module of the same shape.
"""

from __future__ import annotations

LANGUAGE = "en"

#: What `flags apply` writes and `infer_flags` uses by default (docs/flags.md: chosen so
#: that precision on the labelled set stays at or above 0.9).
DEFAULT_CONFIDENCE = 0.8
#: Taken off a match whose person is only a pronoun on a line linking other people too.
PRONOUN_DOUBT = 0.2
#: Taken off a match whose rest is about their close family ("her dad has dementia").
FAMILY_DOUBT = 0.05

WORDS: dict[str, tuple[str, ...]] = {
    # heavy things a person opens up about (each a regular expression for whole words)
    "topic": (
        r"divorc\w*", r"separat(?:ed|ing|ion)", r"splitting up", r"split up", r"break ?ups?",
        r"broke up", r"breaking up", r"affairs?", r"cheat(?:ed|ing)", r"marriage is",
        r"marriage problems", r"in love with", r"feelings for", r"seeing someone",
        r"miscarriages?", r"infertil\w*", r"fertility", r"ivf", r"trying for a baby",
        r"pregnan\w*", r"abortion", r"grie\w*", r"death", r"died", r"dying", r"passed away",
        r"funerals?", r"terminal", r"cancer", r"tumou?rs?", r"diagnos\w*", r"dementia",
        r"alzheimer\w*", r"parkinson\w*", r"stroke", r"surger(?:y|ies)", r"chemo\w*",
        r"ill", r"illness", r"health scare", r"(?:her|his|their|my) health", r"hospital",
        r"therap\w*", r"counsell?\w*", r"depress\w*", r"anxi\w*", r"panic\w*",
        r"burnout", r"burnt out", r"burned out", r"breakdown", r"self[- ]harm\w*",
        r"suicid\w*", r"eating disorders?", r"anorexi\w*", r"bulimi\w*", r"drinking",
        r"alcohol\w*", r"sober\w*", r"addict\w*", r"relaps\w*", r"gambling", r"debts?",
        r"money (?:troubles?|problems?|worries)", r"redundan\w*", r"laid off", r"layoffs?",
        r"got fired", r"been fired", r"lost (?:her|his|their|my) job", r"unemploy\w*",
        r"lonel\w*", r"isolat\w*", r"scared", r"afraid", r"terrified", r"fears?",
        r"frightened", r"worr\w*", r"ashamed", r"shame", r"guilt\w*", r"regret\w*",
        r"jealous\w*", r"insecur\w*", r"imposter syndrome", r"impostor syndrome",
        r"fraud", r"failure", r"failing", r"not coping", r"can't cope", r"struggl\w*",
        r"overwhelm\w*", r"exhaust(?:ed|ion)", r"hopeless\w*", r"crying", r"in tears",
        r"abus(?:e|ed|ive)", r"trauma\w*", r"bullied", r"coming out", r"came out", r"gay",
        r"queer", r"trans", r"bisexual", r"doubts", r"dread", r"mental health",
        r"medication", r"antidepressants?", r"homeless\w*", r"evict\w*", r"childhood",
        r"heartbr\w*",
    ),
    # how a person says they feel, after "she said she's…", "I told him I'm…"
    "feeling": (
        "scared", "afraid", "terrified", "frightened", "lonely", "alone", "low",
        "depressed", "anxious", "struggling", r"lost(?! (?:his|her|their|my|the|a|an|it|some)\b)",
        "invisible", "a failure",
        "a fraud", "like a fraud", "overwhelmed", "exhausted", "burnt out", "burned out",
        "not coping", "drowning", "worried", "ashamed", "guilty", "jealous", "in love",
        "heartbroken", "devastated", "not sure", "unsure", "stuck", "unhappy", "miserable",
        "empty", "numb", "broken", "hopeless", "not ok", "not okay", "not fine",
        "not happy", "not good enough", "useless", "worthless", "trapped", "regrets?",
        "can't", "doesn't know", "don't know", "need help", "needs help", "hurts",
    ),
    # family whose troubles are theirs too: "her dad has dementia" is her opening up
    "close": (
        "mum", "mom", "mother", "dad", "father", "parents", "husband", "wife",
        "partner", "boyfriend", "girlfriend", "kids?", "children", "son", "daughter",
        "baby", "marriage", "family", "grandad", "grandma", "nan", "gran",
    ),
    # other people: their news is not the person's ("his boss won an award")
    "relation": (
        "sister", "brother", "cousin", "aunt", "auntie", "uncle", "niece", "nephew",
        "friend", "mate", "colleague", "boss", "manager", "neighbou?r", "flatmate",
        "roommate", "housemate", "in-laws?", "sister-in-law", "brother-in-law",
        "mother-in-law", "father-in-law", "team ?mate", "classmate", "ex", "dog", "cat",
        "therapist", "doctor", "gp", "dentist", "lawyer", "landlord", "landlady",
        "accountant", "coach", "teacher",
    ),
    # what is theirs: a win of their team, book or startup is theirs
    "thing": (
        "team", "startup", "company", "business", "band", "book", "novel", "film",
        "paper", "article", "album", "song", "play", "app", "project", "proposal",
        "application", "shop", "bakery", "restaurant", "podcast", "thesis", "painting",
        "exhibition", "design", "poem", "story", "short",
    ),
    # before a match in its clause: it did not happen (yet)
    "negation": (
        "not", "never", "no", "nobody", "n't", "cannot", "without", "almost", "nearly",
        "barely", "hardly", "should", "will", "'ll", "going to", "gonna", "want to",
        "wanted to", "meant to", "mean to", "plan to", "planning to", "hope", "hoping",
        "wish", "if", "whether", "maybe", "might", "unless", "try to", "tried to",
    ),
}

#: Phrases the rules share, referred to as {name}: what makes a verb mean what it seems to.
PHRASES: dict[str, str] = {
    # "opened up a café" is a shop, not a confidence
    "not_a_shop": r"(?!\s+(?:a|an|the|shop|store|new)\b)",
    # "broke down" is a car unless it is tears or talk
    "in_tears": r"(?:in tears|crying|and cried|on the phone|when|while|telling|talking|about"
    r"|over|completely)",
    # "cried laughing" is laughter
    "not_laughing": r"(?!\s+(?:laughing|with laughter|of laughter|from laughing|at)\b)",
    # "are expecting" on its own, or a baby: not "expecting a parcel"
    "a_baby": r"(?=\s*(?:[.!,;:)]|$|\s+(?:a (?:baby|boy|girl)|twins|triplets|their (?:first|second"
    r"|third)|our (?:first|second)|again|in\b|this\b|next\b|due\b|number)))",
}

RULES: dict[str, tuple[tuple[float, str] | tuple[float, str, str], ...]] = {
    # they opened up
    "heard": (
        (0.95, r"{them} (?:confided|confides)"),
        (0.95, r"confided in me"),
        (0.95, r"{them} (?:opened|opens) up{not_a_shop}"),
        (0.95, r"(?:opened|opens) up to me"),
        (0.9, r"{them} (?:confessed|confesses)(?: to me)?(?: that)?", "either"),
        (0.75, r"{them} (?:confessed|confesses)"),
        (0.9, r"{them} poured (?:her|his|their) heart out"),
        (0.9, r"{them} (?:broke|breaks) down {in_tears}"),
        (0.7, r"{them} (?:broke|breaks) down"),
        (0.95, r"{them} came out to me"),
        (0.9, r"{them} came out as"),
        (0.9, r"told me in confidence"),
        (0.9, r"{them} (?:let|lets) me in on"),
        (0.9, r"{them} trusted me with"),
        (0.85, r"{them} (?:admitted|admits)(?: to me)?(?: that)? {they}\b", "either"),
        (0.8, r"{them} (?:cried|teared up|wept|sobbed|was in tears|were in tears){not_laughing}"),
        (
            0.85,
            r"{them} (?:told|tells) me(?: that)?|{them} (?:said|says|mentioned|shared|explained"
            r"|admitted|let slip)(?: to me)?(?: that)?",
            "either",
        ),
        (0.85, r"{them} (?:talked|spoke|talks|speaks) (?:to me )?about", "topic"),
        (0.85, r"{them} (?:vented|offloaded|unloaded)(?: to me)? about", "topic"),
    ),
    # you opened up
    "shared": (
        (0.95, r"{i} (?:confided|confide) in {obj}"),
        (0.95, r"{i} (?:opened|open) up\b(?! to me){not_a_shop}"),
        (0.9, r"{i} (?:confessed|confess)(?: to {obj})?(?: that)?", "either"),
        (0.75, r"{i} (?:confessed|confess)(?: to {obj})?"),
        (0.9, r"{i} (?:admitted|admit)(?: to {obj})?(?: that)? i\b", "either"),
        (0.9, r"{i} poured my heart out"),
        (0.9, r"{i} came clean"),
        (0.9, r"{i} came out to {obj}"),
        (0.9, r"{i} (?:was|got) (?:honest|open|real|vulnerable) with {obj}"),
        (0.8, r"{i} (?:cried|teared up|sobbed){not_laughing}"),
        (0.8, r"{i} broke down {in_tears}"),
        (0.85, r"{i} (?:told|tell) {obj}(?: everything)?(?: about| that| how)?", "either"),
        (0.85, r"{i} shared (?:my|how i|that i)", "either"),
        (0.85, r"{i} (?:talked|spoke|vented) (?:to {obj} )?about my", "topic"),
        (0.8, r"{i} let {obj} in on"),
    ),
    # a truly open exchange
    "deep": (
        (0.95, r"heart[- ]to[- ]heart"),
        (0.9, r"{we} (?:\w+ )?(?:talked|talking|chatted|were up talking) (?:for|till|until|into)"
         r" (?:hours|ages|late|midnight|the (?:small hours|early hours|night)|dawn|sunrise"
         r"|morning|\d{1,2} ?(?:am|a\.m\.))"),
        (0.8, r"talked (?:for|till|until|into) (?:hours|midnight|the (?:small hours|early hours)"
         r"|dawn|sunrise|\d{1,2} ?(?:am|a\.m\.))"),
        (0.9, r"(?:stayed|sat) up (?:late )?talking"),
        (0.9, r"(?:(?:we|both of us) (?:both )?cried|cried together){not_laughing}"),
        (0.9, r"(?:real|proper|honest|deep|meaningful|raw|vulnerable|frank|heartfelt|candid"
         r"|intimate|soul-searching),? (?:honest |open |real )?(?:conversation|talk|chat)"),
        (0.85, r"(?:talked|talk) properly|(?:really|actually|truly) talked"),
        (0.85, r"nothing (?:is|was) off (?:the table|limits)"),
        (0.85, r"(?:the|a) (?:conversation|talk) (?:we|i)(?:'ve|'d| have| had)? (?:been )?"
         r"(?:avoided|avoiding|putting off|put off|never had)"),
        (0.85, r"opened up to each other|we (?:both )?opened up"),
        (0.75, r"had it out"),
    ),
    # a success of theirs
    "win": (
        (0.9, r"{who} (?:got|landed|secured|bagged|won|accepted|(?:was|has been|'s been)"
         r" offered) (?:the |a |an |her |his |their )?(?:[\w-]+ ){0,3}?(?:job|offer|role"
         r"|position|promotion|contract|grant|scholarship|fellowship|part|residency|visa"
         r"|tenure|funding|book deal|award|prize|medal|black belt|licen[cs]e|citizenship"
         r"|all-clear|green card|internship|apprenticeship|commission)\b"),
        (0.9, r"{who} (?:got|gets|was|were|has been|have been|'s been|'ve been|is|are|'s|'re)"
         r" (?:finally |officially |just )?(?:promoted|engaged|married|hitched|made (?:a )?"
         r"(?:partner|head|director|permanent)|elected|hired|accepted|admitted|shortlisted"
         r"|called to the bar|knighted|published|signed)\b"),
        (0.85, r"{who} (?:got|gets) in(?:to)? (?!trouble|a fight|debt|an? argument|a mess|bed"
         r"|the car|a row|a state)\w"),
        (0.9, r"{who} (?:passed|aced|smashed|nailed|cleared) (?:her |his |their |the |all "
         r"(?:her |his |their )?)?(?:[\w-]+ ){0,3}?(?:exams?|tests?|bar|viva|gcses|a-?levels"
         r"|finals|boards|audition|defen[cs]e|qualification|assessment|probation)\b"),
        (0.9, r"{who} (?:won|wins|has won|took|scooped) (?:the |a |an |her |his |their |first )?"
         r"(?:[\w-]+ ){0,3}?(?:championship|tournament|race|award|prize|medal|competition|cup"
         r"|final|trophy|title|election|case|hackathon|league|gold|silver|bronze|bid|pitch"
         r"|grant|scholarship)\b"),
        (0.9, r"{who} (?:finished|completed|ran|did|smashed) (?:the |a |an |her |his |their )?"
         r"(?:first |1st )?(?:[\w-]+ ){0,2}?(?:marathon|half|10k|5k|ironman|triathlon|ultra"
         r"|race|fun run|thesis|phd|dissertation|degree)\b"),
        (0.9, r"{who} (?:are|is|'re|'s) expecting{a_baby}"),
        (0.85, r"{who} (?:is|are|'s|'re) pregnant"),
        (0.9, r"{who} (?:defended|submitted) (?:her|his|their) (?:phd|thesis|dissertation"
         r"|doctorate)"),
        (0.9, r"{who} (?:graduated|qualified)"),
        (0.85, r"{who} (?:got|earned|received|was awarded) (?:her|his|their) (?:phd|doctorate"
         r"|degree|masters|master's|diploma|black belt|wings|licen[cs]e|certification"
         r"|citizenship|visa|driving licen[cs]e)"),
        (0.85, r"{who} (?:got|had) (?:her|his|their) (?:first )?(?:paper|book|article|proposal"
         r"|grant|application|visa|novel|film|thesis|poem|story) (?:accepted|approved"
         r"|published|funded|through|picked up)"),
        (0.85, r"{who} (?:launched|opened(?: up)?|published|released|shipped|sold|closed|raised"
         r"|founded) (?:her |his |their |its |the |a |an )(?:[\w-]+ ){0,3}?(?:shop|store"
         r"|startup|company|business|bakery|restaurant|café|cafe|book|novel|album|single"
         r"|record|app|round|series a|funding|exhibition|podcast|practice|studio|clinic"
         r"|gallery)\b"),
        (0.85, r"{who} (?:got|gets|found|has|landed) a (?:publisher|agent|record deal|book deal)"),
        (0.85, r"{who} (?:made|broke|set|beat) (?:a |her |his |their )?(?:new )?(?:record|pb"
         r"|personal best)\b"),
        (0.8, r"{them}'s (?:promotion|engagement|graduation|new job)\b"),
    ),
}
