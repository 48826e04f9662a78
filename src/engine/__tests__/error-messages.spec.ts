/**
 * The engine's error messages for the mistakes Python also catches at the
 * call (featureviz/_checks.py): both read the expected texts from one
 * fixture, so the two cannot drift apart.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  ChannelOutOfRangeError,
  PositionOutOfRangeError,
  UnknownLayerError
} from '../errors';
import { ROOT } from '../testing/files';

interface ICase {
  readonly error: string;
  readonly args: unknown[];
  readonly message: string;
}

const { cases } = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'tests/fixtures/error-messages.json'), 'utf8')
) as { cases: ICase[] };

// Each fixture case's arguments, as the error's constructor takes them.
const MAKE: Record<string, (args: unknown[]) => Error> = {
  UnknownLayerError: ([layer, known]) =>
    new UnknownLayerError(layer as string, known as string[]),
  ChannelOutOfRangeError: ([layer, channel, channels, what]) =>
    new ChannelOutOfRangeError(
      layer as string,
      channel as number,
      channels as number,
      what as string
    ),
  PositionOutOfRangeError: ([layer, x, y, width, height]) =>
    new PositionOutOfRangeError(
      layer as string,
      x as number,
      y as number,
      width as number,
      height as number
    )
};

describe('error messages shared with Python', () => {
  for (const { error, args, message } of cases) {
    it(`${error}: ${message}`, () => {
      expect(MAKE[error](args).message).toBe(message);
    });
  }
});
