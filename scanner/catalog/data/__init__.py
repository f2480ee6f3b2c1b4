"""Data files of the vendor catalog (JSON layers); a package so wheels include them."""
