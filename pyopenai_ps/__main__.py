"""``python -m pyopenai_ps``: the same as the ``pyopenai-ps`` console script."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
