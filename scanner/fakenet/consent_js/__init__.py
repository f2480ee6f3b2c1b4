"""JavaScript of the consent world (``scanner.fakenet.consent``); a package so the files ship."""
