import { readFileSync } from 'fs';
import { join } from 'path';
import { DEFAULT_SETTINGS, SettingsModel, readSettings } from '../settings';

const schema = JSON.parse(
  readFileSync(join(__dirname, '../../../schema/settings.json'), 'utf8')
) as {
  properties: Record<
    string,
    { default: unknown; oneOf?: { const: unknown }[] }
  >;
};

describe('readSettings', () => {
  it('has the same defaults as schema/settings.json', () => {
    const fromSchema = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, v.default])
    );
    expect({ ...DEFAULT_SETTINGS }).toEqual(fromSchema);
    expect(readSettings(fromSchema)).toEqual(DEFAULT_SETTINGS);
  });

  it('knows every backend the schema offers', () => {
    for (const { const: backend } of schema.properties.backend.oneOf ?? []) {
      expect(readSettings({ backend }).backend).toBe(backend);
    }
  });

  it('falls back to defaults field by field for bad values', () => {
    const settings = readSettings({
      backend: 'quantum',
      allowedOrigins: ['https://ok.example', 'ftp://no', 3, 'https://a/b'],
      maxWeightsMB: -4,
      maxDatasetMB: 0,
      maxJobMemoryMB: Number.NaN,
      maxJobMinutes: '10',
      keepFrames: 'yes'
    });
    expect(settings).toEqual({
      ...DEFAULT_SETTINGS,
      allowedOrigins: ['https://ok.example']
    });
    expect(readSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(
      readSettings({ maxJobMemoryMB: 4096, maxJobMinutes: 0.5 })
    ).toMatchObject({ maxJobMemoryMB: 4096, maxJobMinutes: 0.5 });
  });
});

describe('SettingsModel', () => {
  it('signals only real changes', () => {
    const model = new SettingsModel();
    const seen: string[] = [];
    model.changed.connect((_, s) => seen.push(s.backend));
    model.update({ backend: 'auto' });
    model.update({ backend: 'wasm' });
    model.update({ backend: 'wasm' });
    expect(seen).toEqual(['wasm']);
    expect(model.current.backend).toBe('wasm');
  });
});
