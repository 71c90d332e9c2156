/**
 * Reads an OpenAI chat-completions request body into a conversation for the engine, or says
 * exactly what is wrong with it (an `ApiError` with the status and code the server answers with).
 */
import { qwenSmartResize, resizeRGBA } from '../app/core';
import type { TurnMessage, TurnPart } from '../pipeline/engine';
import { EngineError } from '../pipeline/errors';
import { MAX_IMAGE_PIXELS, type Decoding, type RgbaImage } from '../pipeline/protocol';
import { decodeImageBytes } from '../engines/node/decodeImage';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
    readonly type: string = status === 401 ? 'authentication_error' : status === 404 ? 'not_found_error' : 'invalid_request_error',
  ) {
    super(message);
  }
}

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly TurnMessage[];
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly maxTokens: number;
  readonly stop: readonly string[];
  /** `repetition_penalty: 1` asks for plain greedy; omitted, the model's generation config applies (as in vLLM). */
  readonly decoding: Decoding;
}

/** Greedy decoding is all the engine does; `max_tokens` defaults to the official evaluation's. */
export const DEFAULT_MAX_TOKENS = 1024;
const MAX_TOKENS_LIMIT = 32768;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and validates `body` (already JSON-decoded); decodes its images. */
export async function readChatRequest(body: unknown): Promise<ChatRequest> {
  if (!isObject(body)) throw new ApiError(400, 'invalid_request', 'the request body must be a JSON object');
  if (typeof body.model !== 'string' || !body.model) throw new ApiError(400, 'missing_model', '"model" is required', 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new ApiError(400, 'missing_messages', '"messages" must be a non-empty array', 'messages');
  const n = body.n ?? 1;
  if (n !== 1) throw new ApiError(400, 'unsupported_n', 'only n = 1 is supported', 'n');
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > MAX_TOKENS_LIMIT) {
    throw new ApiError(400, 'invalid_max_tokens', `"max_tokens" must be an integer from 1 to ${MAX_TOKENS_LIMIT}`, 'max_tokens');
  }
  const stop = body.stop === undefined || body.stop === null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (!Array.isArray(stop) || !stop.every((s) => typeof s === 'string') || stop.length > 4) {
    throw new ApiError(400, 'invalid_stop', '"stop" must be a string or an array of up to 4 strings', 'stop');
  }
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && !isObject(streamOptions)) throw new ApiError(400, 'invalid_stream_options', '"stream_options" must be an object', 'stream_options');
  const penalty = body.repetition_penalty;
  if (penalty !== undefined && penalty !== null && penalty !== 1) {
    throw new ApiError(400, 'unsupported_repetition_penalty', '"repetition_penalty" may be 1 (none) or left out (the model\'s generation config)', 'repetition_penalty');
  }
  const messages: TurnMessage[] = [];
  for (const [i, m] of body.messages.entries()) messages.push(await readMessage(m, `messages[${i}]`));
  return {
    model: body.model,
    messages,
    stream: body.stream === true,
    includeUsage: isObject(streamOptions) && streamOptions.include_usage === true,
    maxTokens,
    stop,
    decoding: penalty === 1 ? 'greedy' : 'generation-config',
  };
}

async function readMessage(m: unknown, where: string): Promise<TurnMessage> {
  if (!isObject(m)) throw new ApiError(400, 'invalid_message', `${where} must be an object`, where);
  const role = m.role;
  if (role !== 'system' && role !== 'user' && role !== 'assistant') {
    throw new ApiError(400, 'invalid_role', `${where}.role must be "system", "user" or "assistant" (got ${JSON.stringify(role)})`, `${where}.role`);
  }
  if (typeof m.content === 'string') return { role, content: [{ type: 'text', text: m.content }] };
  if (!Array.isArray(m.content)) throw new ApiError(400, 'invalid_content', `${where}.content must be a string or an array of parts`, `${where}.content`);
  const content: TurnPart[] = [];
  for (const [j, part] of m.content.entries()) {
    const at = `${where}.content[${j}]`;
    if (!isObject(part)) throw new ApiError(400, 'invalid_content', `${at} must be an object`, at);
    if (part.type === 'text') {
      if (typeof part.text !== 'string') throw new ApiError(400, 'invalid_content', `${at}.text must be a string`, at);
      content.push({ type: 'text', text: part.text });
    } else if (part.type === 'image_url') {
      if (role !== 'user') throw new ApiError(400, 'invalid_content', `${at}: only user messages may carry images`, at);
      const url = isObject(part.image_url) ? part.image_url.url : undefined;
      if (typeof url !== 'string' || !url) throw new ApiError(400, 'missing_image', `${at}.image_url.url is missing: send the image as a base64 data URL`, at);
      content.push({ type: 'image', image: await readImage(url, at) });
    } else {
      throw new ApiError(400, 'invalid_content', `${at}.type must be "text" or "image_url" (got ${JSON.stringify(part.type)})`, at);
    }
  }
  return { role, content };
}

const DATA_URL = /^data:(image\/[\w.+-]+)?(;[\w-]+=[^;,]*)*;base64,/i;

/** A base64 data URL to the image the model sees: as sent, or with Qwen's resize where its sides are not multiples of 28. */
async function readImage(url: string, at: string): Promise<RgbaImage> {
  const head = DATA_URL.exec(url);
  if (!head) throw new ApiError(400, 'invalid_image_url', `${at}: only base64 data URLs (data:image/png;base64,...) are accepted; this server fetches nothing`, at);
  const bytes = Buffer.from(url.slice(head[0].length), 'base64');
  let image: RgbaImage;
  try {
    image = await decodeImageBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), at);
  } catch (e) {
    if (e instanceof EngineError && e.code === 'image-too-large') throw new ApiError(400, 'image_too_large', `${e.message} (${MAX_IMAGE_PIXELS} pixels at most)`, at);
    if (e instanceof EngineError) throw new ApiError(400, 'invalid_image', e.message, at);
    throw e;
  }
  let size;
  try {
    size = qwenSmartResize(image.height, image.width);
  } catch (e) {
    throw new ApiError(400, 'invalid_image', `${at}: ${(e as Error).message}`, at);
  }
  return size.width === image.width && size.height === image.height ? image : resizeRGBA(image, size.width, size.height, 'bicubic');
}
