"""Regenerate pipeline/data/english-words.txt.gz, the dictionary the de-hyphenator consults.

Run from the repository root:  .venv/bin/python scripts/build_wordlist.py
"""

from pathlib import Path

from pipeline.hyphenation import WORDLIST, build_wordlist

if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "pipeline" / "data" / WORDLIST
    print(f"{build_wordlist(target)} words -> {target}")
