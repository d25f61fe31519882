import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../core/config.js';

describe('config', () => {
  it('has defaults for everything', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 8080, MQTT_PORT: 1883, DATA_DIR: './data', TIMEZONE: 'Asia/Shanghai', DEMO: 'on' });
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', TIMEZONE: 'Mars/Olympus', DEMO: 'maybe', ADMIN_TOKEN: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const fields = (error as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(fields.sort()).toEqual(['ADMIN_TOKEN', 'DEMO', 'PORT', 'TIMEZONE']);
    }
  });
  it('refuses zones whose hours are not whole-hour offsets from UTC', () => {
    expect(() => loadConfig({ TIMEZONE: 'Asia/Kolkata' })).toThrow(/whole-hour/);
  });
});
