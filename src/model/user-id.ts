/**
 * User ids: validated once, never rewritten, so two ids never share a directory.
 * @module
 */
import { AttuneError, ErrorCode, invalidArgument } from '../errors.js';

/** Longest user id accepted. */
export const MAX_USER_ID_LENGTH = 128;

/**
 * Returns `userId` unchanged when it is safe as a directory name and a database key;
 * throws INVALID_ARGUMENT otherwise. Rejected: empty or blank ids, `/`, `\`, `..`, NUL or
 * any control character, `.` alone, and more than 128 characters.
 */
export function validateUserId(userId: unknown): string {
  const suggestion =
    'Use letters, digits, dots, dashes, underscores or @ (at most 128 characters).';
  if (typeof userId !== 'string') return invalidArgument('userId', 'must be a string', suggestion);
  if (userId.trim().length === 0) return invalidArgument('userId', 'must not be empty', suggestion);
  if (userId.length > MAX_USER_ID_LENGTH) {
    return invalidArgument(
      'userId',
      `is ${userId.length} characters long; at most ${MAX_USER_ID_LENGTH} are allowed`,
      suggestion,
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(userId)) {
    return invalidArgument('userId', 'contains a control character', suggestion);
  }
  if (/[/\\]/.test(userId)) {
    return invalidArgument('userId', 'contains a path separator', suggestion);
  }
  if (userId.includes('..') || userId === '.') {
    return invalidArgument('userId', 'contains "..", or is "."', suggestion);
  }
  if (userId !== userId.trim()) {
    return invalidArgument('userId', 'starts or ends with white space', suggestion);
  }
  return userId;
}

/**
 * The error for a user folder that another spelling of the id owns (its `.owner` file): on a
 * file system that ignores case, "Alice" and "alice" name one folder.
 */
export function folderOwnedByAnother(id: string, owner: string, dir: string): AttuneError {
  return new AttuneError(
    ErrorCode.INVALID_ARGUMENT,
    `user id "${id}" shares the folder ${dir} with user "${owner}" (this file system ignores case)`,
    { suggestion: `Use one spelling of the user id, for example "${owner}".` },
  );
}
