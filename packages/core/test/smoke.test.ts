import { native } from '@devfs/native';

test('addon loads', () => {
  expect(typeof native).toBe('object');
});
