"""Activities: the model and registry (:mod:`.model`), their worksheet pages and PDFs
(:mod:`.worksheets`), the classroom packets, facilitator editions and answer keys
(:mod:`.packets`), and the student and teacher editions of a page's HTML (:mod:`.editions`).

The ``/// activity`` block (:mod:`opentextbook.markdown.activity`) fills the registry while
pages are converted; after the build, :func:`.worksheets.build_worksheets` makes every output
from it.
"""

from __future__ import annotations

from opentextbook.activities.model import (
    Activity,
    ActivityRegistry,
    AnswerSpace,
    Step,
    TeacherNote,
)

__all__ = ["Activity", "ActivityRegistry", "AnswerSpace", "Step", "TeacherNote"]
