import type { ForwardedMessage } from '../../client/wire/domain.js';
import type { Config } from '../config/config.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { FileRef, FileStore } from './file-store.js';

/**
 * The files a message names, taken for it: each uploaded by its sender for this room, complete and not sent with
 * another message (a retry of this very message, same cid, finds them again); else `no_file`. The protocol's `send`
 * and the server API's messages both come here, so both refuse alike (`unsupported` without a file store).
 */
export async function claimFiles(
  files: FileStore | undefined,
  config: Pick<Config, 'maxFilesPerMessage'>,
  message: { ids: readonly string[]; owner: string; room: string; cid: string; at: number },
): Promise<FileRef[]> {
  if (!files) throw new ReplyError('unsupported', 'this server takes no files (--store redis)');
  const { ids, owner, room, cid, at } = message;
  const max = config.maxFilesPerMessage;
  if (ids.length > max) throw new ReplyError('bad_request', `a message carries at most ${max} files`);
  if (new Set(ids).size !== ids.length) throw new ReplyError('bad_request', 'a file is named twice');
  const claimed = await files.claim(ids, owner, room, cid, at);
  if (!claimed)
    throw new ReplyError('no_file', `a file is not one ${owner} uploaded to this room and has not sent yet`);
  return claimed;
}

/** A message as the dashboards' live feed shows it: one of files alone, or a forward alone, by what it carries. */
export function feedText(
  text: string,
  files: readonly FileRef[] | undefined,
  forwarded?: ForwardedMessage,
): string {
  if (text !== '') return text;
  if (files) return `[${files.length} file(s)]`;
  return forwarded ? `[forwarded] ${forwarded.text}` : text;
}
