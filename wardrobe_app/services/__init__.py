"""The parts of the service layer, one job each, behind ``wardrobe_app.service.Wardrobe``.

The CLI and the GUI call the facade only; these modules are its collaborators: the
similar-items index and vector bookkeeping (``vectors``), import (``importer``,
``expand``, ``working_copy``), browse queries (``browse``), edits and undo (``edits``),
touch-up of masks (``touch_up``), similar items (``similar``), export (``export``) and
repair (``repair``), with the helpers they share (``records``, ``stored_files``).
"""
