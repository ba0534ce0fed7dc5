"""Who said what: entity mentions with canonical names, and attributed statements.

``Analyzer(model).analyse(text)`` returns an ``Analysis`` (mentions and statements with
character offsets into ``text``); ``carried.group_statements`` finds one statement
carried by several outlets. The package takes plain text and never touches the store.
"""

from precis.entities.analyse import DEFAULT_MODEL, Analyzer, load_model
from precis.entities.model import ENTITY_TYPES, Analysis, EntityType, Mention, Statement

__all__ = [
    "DEFAULT_MODEL",
    "ENTITY_TYPES",
    "Analysis",
    "Analyzer",
    "EntityType",
    "Mention",
    "Statement",
    "load_model",
]
