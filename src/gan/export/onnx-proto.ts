/**
 * The part of ONNX's protobuf schema that a feed-forward generator needs: models, graphs, nodes,
 * attributes, tensors and value infos. Field numbers are those of onnx.proto (the ONNX project's
 * `onnx/onnx.in.proto`, proto2 syntax; the IR itself is specified in the ONNX repository's IR.md). Each builder
 * returns a ProtoMessage; `modelBytes` is the serialized ModelProto, i.e. the contents of a `.onnx`.
 */
import { ProtoMessage } from './protobuf.ts';

/** TensorProto.DataType values used here. */
export const FLOAT = 1;

/** AttributeProto.AttributeType values used here. */
const ATTR_FLOAT = 1;
const ATTR_INT = 2;

/** A node attribute: a float (`epsilon`, `alpha`) or an integer (`axis`). */
export type Attribute = { name: string; float: number } | { name: string; int: number };

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attributes?: readonly Attribute[];
}

/** A float32 constant of the graph (weights, and the proxies' constants). */
export interface Initializer {
  name: string;
  dims: readonly number[];
  values: Float32Array;
}

/** A graph input or output: a float32 tensor whose dimensions are sizes or symbolic names ("N"). */
export interface ValueSpec {
  name: string;
  dims: readonly (number | string)[];
  doc: string;
}

export interface ModelSpec {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  /** ModelProto.model_version: the version of this kind of graph (bumped when its inputs or outputs change). */
  modelVersion: number;
  doc: string;
  graphName: string;
  nodes: readonly NodeSpec[];
  initializers: readonly Initializer[];
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  /** ModelProto.metadata_props, in order. */
  metadata: readonly (readonly [string, string])[];
}

function attribute(a: Attribute): ProtoMessage {
  // AttributeProto: name = 1, f = 2, i = 3, type = 20.
  const m = new ProtoMessage().string(1, a.name);
  return 'float' in a ? m.float(2, a.float).int(20, ATTR_FLOAT) : m.int(3, a.int).int(20, ATTR_INT);
}

function node(n: NodeSpec): ProtoMessage {
  // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5 (domain 7 left empty: the ONNX opset).
  const m = new ProtoMessage();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, n.name).string(4, n.op);
  for (const a of n.attributes ?? []) m.message(5, attribute(a));
  return m;
}

function tensor(t: Initializer): ProtoMessage {
  const size = t.dims.reduce((a, b) => a * b, 1);
  if (size !== t.values.length) throw new RangeError(`initializer ${t.name}: dims [${t.dims}] hold ${size} values, got ${t.values.length}`);
  // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (fixed-width little-endian, row-major).
  const raw = new Uint8Array(4 * t.values.length);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < t.values.length; i++) view.setFloat32(4 * i, t.values[i]!, true);
  const m = new ProtoMessage();
  for (const d of t.dims) m.int(1, d);
  return m.int(2, FLOAT).string(8, t.name).bytes(9, raw);
}

function valueInfo(v: ValueSpec): ProtoMessage {
  // TensorShapeProto.Dimension: dim_value = 1 | dim_param = 2; TensorShapeProto: dim = 1.
  const shape = new ProtoMessage();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new ProtoMessage().int(1, d) : new ProtoMessage().string(2, d));
  // TypeProto.Tensor: elem_type = 1, shape = 2; TypeProto: tensor_type = 1; ValueInfoProto: name = 1, type = 2, doc_string = 3.
  const type = new ProtoMessage().message(1, new ProtoMessage().int(1, FLOAT).message(2, shape));
  return new ProtoMessage().string(1, v.name).message(2, type).string(3, v.doc);
}

/** The serialized ModelProto. */
export function modelBytes(s: ModelSpec): Uint8Array {
  // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
  const graph = new ProtoMessage();
  for (const n of s.nodes) graph.message(1, node(n));
  graph.string(2, s.graphName);
  for (const t of s.initializers) graph.message(5, tensor(t));
  for (const i of s.inputs) graph.message(11, valueInfo(i));
  for (const o of s.outputs) graph.message(12, valueInfo(o));
  // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, model_version = 5, doc_string = 6, graph = 7,
  // opset_import = 8 (OperatorSetIdProto: domain = 1, version = 2), metadata_props = 14
  // (StringStringEntryProto: key = 1, value = 2).
  const model = new ProtoMessage().int(1, s.irVersion).string(2, s.producerName).string(3, s.producerVersion).int(5, s.modelVersion).string(6, s.doc).message(7, graph);
  model.message(8, new ProtoMessage().string(1, '').int(2, s.opset));
  for (const [k, v] of s.metadata) model.message(14, new ProtoMessage().string(1, k).string(2, v));
  return model.toBytes();
}
