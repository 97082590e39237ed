"""The asset library: files on disk (storage), the library as people search it (library), its edits
(edits), and what the composer and publishing need of it (media). Exported through app.services.content."""
