import type { SegmentMessage } from '../types.js';
import { valueAt, type PreparedMapping } from './prepare.js';

/** One entry of an attributes object's `push_tokens` (Braze users/track). */
export interface PushTokenEntry {
  readonly app_id: string;
  readonly token: string;
  readonly device_id?: string;
}

/** The push token a message carries at the file's `pushTokens.token` path, if the file has one and the message a token. */
export function pushTokenOf(msg: SegmentMessage, mapping: PreparedMapping): PushTokenEntry | undefined {
  const rule = mapping.rules.pushTokens;
  if (rule === undefined || mapping.tokenPath === undefined) return undefined;
  const token = valueAt(msg, mapping.tokenPath);
  if (typeof token !== 'string' || token.trim() === '') return undefined;
  const device = mapping.deviceIdPath && valueAt(msg, mapping.deviceIdPath);
  const deviceId = typeof device === 'string' && device.trim() !== '' ? device : typeof device === 'number' ? String(device) : undefined;
  return deviceId === undefined ? { app_id: rule.appId, token } : { app_id: rule.appId, token, device_id: deviceId };
}
