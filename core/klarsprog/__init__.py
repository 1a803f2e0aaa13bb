"""The Danish text engine: tokeniser, sentences, blocks, LIX (text), word lists (lexicon) and a
language guess (language)."""
