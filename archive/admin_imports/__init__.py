"""Staff upload of verbatim records in the admin: upload, progress, preview, confirm or discard,
replace from the browser, re-parse, download.

Every step that reads or writes a record needs the ``archive.import_transcript`` permission
(downloading a stored file: ``archive.download_transcript``); staff without it may still browse
the list of uploads. Modules:

- ``uploads``: the ModelAdmin (list, actions, URLs);
- ``receive``: the upload page and the progress page (files are read by a background worker,
  ``archive.upload_jobs``);
- ``preview``: the preview (with what a replacement would change), confirm, discard;
- ``files``: the authenticated download of a stored file.

The import itself is ``archive.importing.import_meeting``, the same service the command line uses.
"""

from archive.admin_imports.uploads import IMPORT_PERMISSION, TranscriptUploadAdmin

__all__ = ["IMPORT_PERMISSION", "TranscriptUploadAdmin"]
