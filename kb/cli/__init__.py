"""The `kb` command line: thin click commands over kb.library."""
