"""The documentation's own tooling: a package only so that pytest can tell its conftest from tests/'."""
