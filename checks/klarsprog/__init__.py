"""Danish plain-language (klarsprog) engine: text analysis, LIX and the plain-language checks."""
