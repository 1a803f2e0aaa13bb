"""The editors' workbench (`klartjek serve`, docs/workbench.md): a local web page where content
editors check a text in plain Danish. The top floor beside cli.py: it uses audit (reading and
checking texts, the history), reports (the text's view) and core; nothing imports it but cli."""
from workbench.server import serve

__all__ = ["serve"]
