"""`scanner email`: audit e-mail newsletters for open tracking, link tracking and leaks of the recipient's
address, statically (nothing fetched unless ``--render``).

``message`` reads .eml / mbox / .html files and folders; ``charsets`` decodes their text; ``links``
unwraps redirectors and finds identifiers and address leaks in URLs; ``detect`` finds every remote
reference of a message's HTML and what it is for; ``audit`` attributes them to vendors with the catalog
and compares them with the declaration (``model``: the result, ``esp``: ESP URL shapes); ``gate`` decides
the exit code; ``report`` writes the outputs; ``render`` opens a message in the scan's Chromium (opt-in).
"""
