"""kb: a terminal-first research knowledge base for arXiv papers, researchers' blogs and your own notes."""

__version__ = "0.1.0"
