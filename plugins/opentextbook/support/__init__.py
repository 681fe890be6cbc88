"""Support every feature shares: errors naming file and line (:mod:`.errors`), whole-file
writes (:mod:`.atomic`), the output cache and the keyed caches (:mod:`.cache`,
:mod:`.keyedcache`), templating with escaping (:mod:`.templating`), the one URL rule
(:mod:`.urls`), YAML with line numbers (:mod:`.yamlsource`), PDFs and their fonts
(:mod:`.pdf`, :mod:`.fonts`, :mod:`.pdfslim`; stylesheets and fonts parsed once per
process, :mod:`.stylesheets`), worker processes and background work, the
kept worksheet folder of ``serve``, reproducible dates and archives, and building the site
beside the previous one so that a failed build leaves it as it was.
"""
