'use strict';
/**
 * A worker_thread on the bare inode table: on each message N it runs N inodeInsert + inodeClear
 * pairs on the process-global table (no kernel, no names) and answers N. Two of these against
 * one show what the table's shared atomics cost when two threads write at once.
 */
const { parentPort } = require('worker_threads');
const { native, inoOf, genOf } = require('@devfs/native');

parentPort.on('message', (n) => {
  for (let i = 0; i < n; i++) {
    const key = native.inodeInsert(0);
    native.inodeClear(inoOf(key), genOf(key));
  }
  parentPort.postMessage(n);
});
