"""The one writer of users' files and its pure byte transforms."""
