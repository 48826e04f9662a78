/** The places a model and its weights may be fetched from. */
import { PathNotAllowedError } from '../../errors';
import { checkUrl, folderOf } from '../url-policy';

const FILES = 'http://localhost:8888/user/me/files/';
const ASSETS =
  'http://localhost:8888/lab/extensions/featureviz/static/assets/models/';

describe('checkUrl', () => {
  it('passes URLs under an allowed prefix, whatever their query', () => {
    expect(
      checkUrl(`${FILES}work/m/model.json?_xsrf=abc`, [FILES]).pathname
    ).toBe('/user/me/files/work/m/model.json');
    expect(() =>
      checkUrl(`${ASSETS}mnist-cnn/group1.bin`, [FILES, ASSETS])
    ).not.toThrow();
    expect(() =>
      checkUrl('HTTP://LOCALHOST:8888/user/me/files/a.json', [FILES])
    ).not.toThrow();
  });

  it.each([
    [
      'Jupyter API',
      'http://localhost:8888/user/me/api/contents/secret.txt?content=1'
    ],
    ['a dot-dot path out of the files', `${FILES}../api/contents/secret.txt`],
    ['an encoded dot-dot path', `${FILES}%2e%2e/%2E%2E/lab/tree`],
    ['an encoded separator', `${FILES}..%2f..%2fapi%2fcontents`],
    ['a backslash', `${FILES}..\\..\\api`],
    ['another origin', 'https://evil.example/files/model.json'],
    ['another port', 'http://localhost:9999/user/me/files/model.json'],
    [
      'a prefix that is only a string prefix',
      'http://localhost:8888/user/me/files-other/m.json'
    ],
    ['a relative path', 'model.json']
  ])('refuses %s before any request', (_, url) => {
    expect(() => checkUrl(url, [FILES], 'the model')).toThrow(
      PathNotAllowedError
    );
  });

  it('says which file and where it may come from', () => {
    expect(() =>
      checkUrl(`${FILES}../api/x`, [FILES], 'the weights file "../../api/x"')
    ).toThrow(
      `http://localhost:8888/user/me/files/../api/x: the weights file "../../api/x" lies outside the places Feature Viz may load from (${FILES})`
    );
  });

  it("gives a URL's folder without its query", () => {
    expect(folderOf(`${ASSETS}mnist-cnn/model.json?v=1`)).toBe(
      `${ASSETS}mnist-cnn/`
    );
    expect(folderOf(FILES)).toBe(FILES);
  });
});
