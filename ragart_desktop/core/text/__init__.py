"""Text as words: splitting into words in any script (core/text/words) and the CJK helpers behind it."""
