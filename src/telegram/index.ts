// Public exports of src/telegram: the GramJS adapter (Source and Sink for Telegram, accounts and sessions).
export { openAccount, parseChatRef, chatInfoOf } from "./account.js";
export type { AccountOptions, SourceOptions, TelegramAccount, TelegramSource, ChatRef } from "./account.js";
export type { ChatInfo } from "./context.js";
export { TelegramSink, matchDelivered } from "./send.js";
export type { SinkOptions } from "./send.js";
export { chooseStrategy } from "./strategy.js";
export type { Mode, StrategyOptions, StrategyChoice } from "./strategy.js";
export { randomIdFor } from "./randomId.js";
export type { RandomIdKey } from "./randomId.js";
export { classifyError, classifyName, toRelayError, withTimeout } from "./errors.js";
export type { ErrorKind, Classified } from "./errors.js";
export { planCaption, splitText, CAPTION_LIMIT, PREMIUM_CAPTION_LIMIT, TEXT_LIMIT } from "./captionLimit.js";
export type { CaptionPolicy } from "./captionLimit.js";
export { downloadFile, DEFAULT_IN_MEMORY_LIMIT } from "./download.js";
export type { FileSource, PartFetcher, DownloadConfig } from "./download.js";
export { defaultParallelism, planParts, planRanges } from "./downloadPlan.js";
export { postFromMessage, mediaFromApi, entitiesToApi, entityFromApi, uploadedInputMedia, documentAttributes } from "./convert.js";
export {
  sessionPath,
  readSession,
  writeSession,
  lockSession,
  apiCredentials,
  gramProxy,
  createClient,
  connectClient,
  login,
} from "./session.js";
export type { SessionLock, ApiCredentials, ProxyOptions, ClientSpec, LoginPrompts } from "./session.js";
export { PinoGramLogger, redact } from "./logger.js";
export { DedupStringSession } from "./dedupSession.js";
export type { LogSink } from "./logger.js";
