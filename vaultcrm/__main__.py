"""`python -m vaultcrm`."""

from vaultcrm.cli import main

if __name__ == "__main__":
    main()
