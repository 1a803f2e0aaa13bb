"""The ground floor of klartjek: what gathering, checks and reports all stand on, importing nothing
of klartjek above it (tests/test_layers.py keeps it so).

The run model and its enums (model), errors and exit codes (errors), scores (scoring), WCAG
criterion data and help URLs (wcag), axe-core's rule data and Danish locale (axe), the Danish text
engine — tokeniser, sentences, LIX, word lists, language guess — (klarsprog), CPR masking (cpr),
safe terminal text (safe_text), bounded file reading and atomic writing (files), and the network
allow list (netscope). docs/architecture.md draws the floors.
"""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("klartjek")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
