"""Stories: near-duplicate detection, incremental story assignment, story summaries.

Pure functions and classes over plain data; persistence lives in ``precis.store.stories``.
"""

from precis.cluster.assign import Assignment, Params, cluster
from precis.cluster.features import ArticleInput

__all__ = ["ArticleInput", "Assignment", "Params", "cluster"]
