import { describe, expect, test } from '@jest/globals';
import { isVassalFileName, vassalFormatOf, vassalNameOf } from '../../src/config/vassal-file-name.js';

describe('isVassalFileName', () => {
  test.each(['app.yml', 'app.yaml', 'app.ini', 'app.json', 'my.app.yml', 'galaxy-restarter.yml'])('%s is a vassal file', (name) => {
    expect(isVassalFileName(name)).toBe(true);
  });

  test.each([
    '.app.yml', // dotfile
    '.#app.yml', // emacs lock
    'app.yml~', // backup
    'app.yml.swp', // vim swap
    '.app.yml.swp',
    '#app.yml#', // emacs autosave
    'app.yml.tmp',
    'app.tmp',
    'app.conf',
    'app',
    'README.md',
    'app.YML',
    '.yml',
  ])('%s is not a vassal file', (name) => {
    expect(isVassalFileName(name)).toBe(false);
  });
});

describe('vassalNameOf', () => {
  test('the name is the base name without the extension', () => {
    expect(vassalNameOf('/etc/emperor/vassals/galaxy.yml')).toBe('galaxy');
    expect(vassalNameOf('my.app.ini')).toBe('my.app');
  });
});

describe('vassalFormatOf', () => {
  test('the format follows the extension', () => {
    expect(['a.yml', 'a.yaml', 'a.ini', 'a.json', 'a.txt'].map(vassalFormatOf)).toEqual(['yaml', 'yaml', 'ini', 'json', undefined]);
  });
});
