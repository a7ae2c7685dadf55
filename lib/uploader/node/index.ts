/**
 * The engine's Node adapters (the command line): file reader, transport and hasher,
 * injected into `createFileUpload` through its `file`, `transport`, `hashFile` and
 * `computeChecksum` options. Node-only; the browser bundle never imports this folder.
 */
export { openNodeFile, NodeUploadFile, FileHandleSlice, READ_CHUNK_BYTES } from "./file-reader";
export { createNodeTransport, createNodeDispatcher, type NodeTransportOptions } from "./transport";
export { createNodeFileHasher, nodeChecksumPart } from "./file-hasher";
