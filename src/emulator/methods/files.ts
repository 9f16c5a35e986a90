/** Files: upload.GetFile (Telegram's offset/limit rules, FILE_MIGRATE_X, file references) and upload.SaveFilePart/SaveBigFilePart. */
import { Api } from "telegram";
import type { FileRec } from "../records.js";
import { fail } from "../rpc.js";
import type { Call, Method, Server } from "../server.js";
import { readFile } from "../store.js";

const KB = 1024;
const MB = 1024 * 1024;
/** Telegram's largest upload part. */
export const MAX_PART = 512 * KB;

/** Check an access hash and a file reference of `account`; returns the reference's context. */
export function checkMediaRef(
  srv: Server, call: Call, kind: "photo" | "document", id: string, accessHash: { equals(x: unknown): boolean } | undefined,
  fileReference: Buffer | undefined, onWrongHash: string, index?: number,
) {
  if (!srv.keys.checkAccessHash(call.account.name, kind, id, accessHash as never)) fail(onWrongHash);
  const ref = srv.keys.checkReference(call.account.name, kind, id, fileReference);
  const at = index === undefined ? "" : `${index}_`;
  if (!ref.ok) fail(`FILE_REFERENCE_${at}INVALID`);
  if (srv.now() - ref.issuedAt > srv.faults.refTtlMs) fail(`FILE_REFERENCE_${at}EXPIRED`);
  return ref.context;
}

/** The file and DC a GetFile location names. */
function locate(srv: Server, call: Call, loc: Api.TypeInputFileLocation): { file: FileRec; dc: number; check: () => void; photo: boolean } {
  if (loc instanceof Api.InputPhotoFileLocation) {
    const id = loc.id.toString();
    const photo = srv.world.photo(id) ?? fail("FILE_ID_INVALID");
    const size = photo.sizes.find((s) => s.type === loc.thumbSize && s.fileId !== "") ?? fail("LOCATION_INVALID");
    return { file: srv.world.file(size.fileId)!, dc: photo.dc, photo: true, check: () => void checkMediaRef(srv, call, "photo", id, loc.accessHash, loc.fileReference, "FILE_ID_INVALID") };
  }
  if (loc instanceof Api.InputDocumentFileLocation) {
    const id = loc.id.toString();
    const doc = srv.world.document(id) ?? fail("FILE_ID_INVALID");
    const fileId = loc.thumbSize === "" ? doc.fileId : (doc.thumbs.find((t) => t.type === loc.thumbSize && t.fileId !== "") ?? fail("LOCATION_INVALID")).fileId;
    return { file: srv.world.file(fileId)!, dc: doc.dc, photo: false, check: () => void checkMediaRef(srv, call, "document", id, loc.accessHash, loc.fileReference, "FILE_ID_INVALID") };
  }
  return fail("LOCATION_INVALID");
}

const getFile: Method = async (srv, call, req: Api.upload.GetFile) => {
  const arrivedAt = Date.now();
  const offset = req.offset.toJSNumber();
  const limit = req.limit;
  const unit = req.precise ? KB : 4 * KB;
  if (offset < 0 || offset % unit !== 0) fail("OFFSET_INVALID");
  if (limit <= 0 || limit % unit !== 0 || limit > (req.precise ? 512 * KB : MB) || (!req.precise && MB % limit !== 0)) fail("LIMIT_INVALID");
  if (Math.floor(offset / MB) !== Math.floor((offset + limit - 1) / MB)) fail("LIMIT_INVALID");
  const where = locate(srv, call, req.location);
  if (where.dc !== call.dcId) fail(`FILE_MIGRATE_${where.dc}`, 303);
  where.check();
  const bytes = readFile(srv.world, where.file, offset, limit);
  await srv.faults.transfer(call.account.name, bytes.length, arrivedAt);
  return new Api.upload.File({ type: where.photo ? new Api.storage.FileJpeg() : new Api.storage.FilePartial(), mtime: 0, bytes });
};

function savePart(srv: Server, call: Call, fileId: string, part: number, bytes: Buffer, total: number | undefined) {
  if (bytes.length === 0) fail("FILE_PART_EMPTY");
  if (bytes.length > MAX_PART) fail("FILE_PART_TOO_BIG");
  const maxParts = call.account.premium ? 8000 : 4000;
  if (part < 0 || part >= maxParts || (total !== undefined && part >= total)) fail("FILE_PART_INVALID");
  if (total !== undefined && (total <= 0 || total > maxParts)) fail("FILE_PARTS_INVALID");
  srv.world.putPart(call.account.name, fileId, part, total, bytes);
}

const saveFilePart: Method = async (srv, call, req: Api.upload.SaveFilePart) => {
  await srv.faults.transfer(call.account.name, req.bytes.length);
  savePart(srv, call, req.fileId.toString(), req.filePart, req.bytes, undefined);
  return true;
};

const saveBigFilePart: Method = async (srv, call, req: Api.upload.SaveBigFilePart) => {
  await srv.faults.transfer(call.account.name, req.bytes.length);
  savePart(srv, call, req.fileId.toString(), req.filePart, req.bytes, req.fileTotalParts);
  return true;
};

export const fileMethods: Record<string, Method> = {
  "upload.GetFile": getFile,
  "upload.SaveFilePart": saveFilePart,
  "upload.SaveBigFilePart": saveBigFilePart,
};
