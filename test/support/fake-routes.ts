/** The fake Woodwide's routing table: method, path, endpoint kind (for faults), handler. */

import type { Handler } from "./fake-answers.js";
import type { FakeEndpoint } from "./fake-faults.js";
import { datasetVersion, getModel, train, upload } from "./fake-routes-data.js";
import { download, getJob, inferBatch, inferDirect, results } from "./fake-routes-infer.js";

export const ROUTES: [string, RegExp, FakeEndpoint, Handler][] = [
  ["POST", /^\/datasets$/, "upload", upload],
  ["GET", /^\/datasets\/([^/]+)\/versions\/([^/]+)$/, "dataset", datasetVersion],
  ["POST", /^\/models\/train$/, "train", train],
  ["POST", /^\/models\/([^/]+)\/infer-batch$/, "infer", inferBatch],
  ["POST", /^\/models\/([^/]+)\/infer$/, "infer", inferDirect],
  ["GET", /^\/models\/([^/]+)$/, "model", getModel],
  ["GET", /^\/jobs\/([^/]+)\/results$/, "results", results],
  ["GET", /^\/jobs\/([^/]+)$/, "job", getJob],
  ["GET", /^\/downloads\/([^/]+)$/, "download", download],
];
