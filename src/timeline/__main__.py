"""``python -m timeline``: the ``timeline`` command (see :mod:`timeline.cli`)."""

from timeline.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
