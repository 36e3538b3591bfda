"""kg: the directive-citation knowledge graph.

>>> import kg
>>> extraction = kg.extract("Kế hoạch số 129-KH/TU về việc thực hiện Kết luận số 01-KL/TW")
>>> [(r.canonical, r.relation) for r in extraction.relations]  # doctest: +SKIP
"""

from kg.builder import build
from kg.extract import extract
from kg.model import Context, Extraction, Mention, Reference, Relation
from kg.store import open_store
from kg.version import __version__

__all__ = ["Context", "Extraction", "Mention", "Reference", "Relation", "__version__", "build", "extract", "open_store"]
