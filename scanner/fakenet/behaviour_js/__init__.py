"""JavaScript of the behaviour world (``scanner.fakenet.behaviour``); a package so the files ship."""
