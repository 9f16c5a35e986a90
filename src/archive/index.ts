// Public exports of src/archive: the `dir:PATH` target and source.
export { ArchiveSink, archiveSink, hasFile, type ArchiveSinkOptions } from "./sink.js";
export { ArchiveSource, openArchiveSource, type ArchiveSourceOptions } from "./source.js";
export { MANIFEST, MANIFEST_VERSION, entryOf, postOf, parseManifest, readManifest, type ManifestEntry } from "./manifest.js";
export { mediaFileName, thumbFileName, chatFolderName, sanitizeName, boundName, MAX_NAME_BYTES } from "./names.js";
export { pagesOnDemand, PAGE_SIZE } from "./pages.js";
export { loadLocal, type LocalFile } from "./local-files.js";
export { DIR_PREFIX, isDirSpec, dirPath } from "./target.js";
export { LOCK, lockFolder, unlockFolder } from "./lock.js";
