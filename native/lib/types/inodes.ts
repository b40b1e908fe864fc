/** Inode table and change log (implemented in src/inode_table*.cc). */
export interface InodeBinding {}
