// Public exports of src/imports: Telegram Desktop exports (`export:PATH`) and tdl id lists.
export {
  DesktopExportSource,
  openDesktopExport,
  EXPORT_PREFIX,
  type DesktopExportOptions,
  type ExportReport,
} from "./desktop.js";
export { exportKind } from "./kind.js";
export { parseTdlExport, readTdlExport, tdlIds, type TdlExport, type TdlMessage } from "./tdl.js";
export { parseText, plainText, type ParsedText, type TextPart } from "./text.js";
export { parseExportJson, repairHexEscapes, findJsonError } from "./json.js";
export { inferAlbums, type AlbumCandidate, type AlbumRule } from "./albums.js";
export { desktopMedia, type DesktopMedia, type AlbumClass } from "./desktop-media.js";
export type { DesktopMessage, DesktopChat, DesktopAccountExport } from "./desktop-message.js";
