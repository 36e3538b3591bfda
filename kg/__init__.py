"""kg: the directive-citation knowledge graph.

    >>> import kg
    >>> extraction = kg.extract("Kế hoạch số 129-KH/TU về việc thực hiện Kết luận số 01-KL/TW")
    >>> [(r.canonical, r.relation) for r in extraction.relations]  # doctest: +SKIP
"""

from kg.extract import extract
from kg.model import Context, Extraction, Mention, Reference, Relation

__version__ = "0.1.0"

__all__ = ["Context", "Extraction", "Mention", "Reference", "Relation", "extract"]
