"""The interactive timeline page (built in the page branch)."""
