package io.mnpipe.models.export;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph being built, and its {@code ModelProto} bytes: nodes, initializers (weights), one
 * input and one output. Writes the protobuf wire format of the fields of onnx.proto it uses by hand
 * (a few dozen lines), so the models module needs no protobuf runtime and no generated classes.
 * Repeated scalars are written unpacked, the proto2 default that onnx.proto declares.
 */
public final class OnnxGraph {
  /** TensorProto.DataType values. */
  public static final int FLOAT = 1;
  public static final int UINT8 = 2;
  public static final int INT8 = 3;
  public static final int INT64 = 7;

  /** Opset 13: QuantizeLinear/DequantizeLinear with a per-channel axis; IR version 7 goes with it. */
  public static final int OPSET = 13;
  static final int IR_VERSION = 7;

  private final List<byte[]> nodes = new ArrayList<>();
  private final List<byte[]> initializers = new ArrayList<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();
  private final Map<String, Integer> counters = new LinkedHashMap<>();
  private final Map<String, String> constants = new LinkedHashMap<>();
  private int nodeCount;

  /** A fresh value name with this prefix ("conv" -> "conv_7"). */
  public String name(String prefix) {
    int n = counters.merge(prefix, 1, Integer::sum);
    return prefix + "_" + n;
  }

  /** One node with its attributes; returns its (single) output name. */
  public String node(String opType, List<String> inputs, Attr... attrs) {
    return namedNode(name(opType.toLowerCase(java.util.Locale.ROOT)), opType, inputs, attrs);
  }

  /** As {@link #node} with the output named {@code out} (the graph's output, say). */
  public String namedNode(String out, String opType, List<String> inputs, Attr... attrs) {
    Proto n = new Proto();
    inputs.forEach(i -> n.string(1, i));
    n.string(2, out).string(3, out + "_node").string(4, opType);
    for (Attr a : attrs) {
      n.message(5, a.proto());
    }
    nodes.add(n.bytes());
    nodeCount++;
    return out;
  }

  public int nodeCount() {
    return nodeCount;
  }

  /** A float initializer; returns its name. */
  public String floats(String prefix, float[] values, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return initializer(prefix, FLOAT, b.array(), dims);
  }

  /** An int8 or uint8 initializer (one byte per value); returns its name. */
  public String bytes(String prefix, int dataType, byte[] values, long... dims) {
    return initializer(prefix, dataType, values, dims);
  }

  /** A scalar float constant, shared by every node that uses the same value. */
  public String scalar(float v) {
    return constants.computeIfAbsent("f" + Float.floatToIntBits(v), k -> floats("const", new float[] {v}));
  }

  private String initializer(String prefix, int dataType, byte[] raw, long... dims) {
    String name = name(prefix);
    Proto t = new Proto();
    for (long d : dims) {
      t.varint(1, d);
    }
    t.varint(2, dataType).string(8, name).bytes(9, raw);
    initializers.add(t.bytes());
    return name;
  }

  public void metadata(String key, String value) {
    metadata.put(key, value);
  }

  /**
   * The ModelProto: this graph with a float32 input {@code input} of shape (batch, dims...) and a
   * float32 output {@code output} of shape (batch, outDims...), batch left symbolic.
   */
  public byte[] model(String graphName, String input, long[] inDims, String output, long[] outDims,
      String producerVersion) {
    Proto g = new Proto();
    nodes.forEach(n -> g.message(1, n));
    g.string(2, graphName);
    initializers.forEach(t -> g.message(5, t));
    g.message(11, valueInfo(input, inDims)).message(12, valueInfo(output, outDims));
    Proto m = new Proto().varint(1, IR_VERSION).string(2, "mnpipe").string(3, producerVersion).message(7, g.bytes())
        .message(8, new Proto().string(1, "").varint(2, OPSET).bytes());
    metadata.forEach((k, v) -> m.message(14, new Proto().string(1, k).string(2, v).bytes()));
    return m.bytes();
  }

  private static byte[] valueInfo(String name, long[] dims) {
    Proto shape = new Proto().message(1, new Proto().string(2, "batch").bytes());
    for (long d : dims) {
      shape.message(1, new Proto().varint(1, d).bytes());
    }
    Proto tensor = new Proto().varint(1, FLOAT).message(2, shape.bytes());
    return new Proto().string(1, name).message(2, new Proto().message(1, tensor.bytes()).bytes()).bytes();
  }

  /** A node attribute (AttributeProto). */
  public record Attr(String name, Proto body) {
    public static Attr ints(String name, long... values) {
      Proto p = new Proto().string(1, name);
      for (long v : values) {
        p.varint(8, v);
      }
      return new Attr(name, p.varint(20, 7));
    }

    public static Attr integer(String name, long value) {
      return new Attr(name, new Proto().string(1, name).varint(3, value).varint(20, 2));
    }

    public static Attr real(String name, float value) {
      return new Attr(name, new Proto().string(1, name).fixed32(2, Float.floatToIntBits(value)).varint(20, 1));
    }

    byte[] proto() {
      return body.bytes();
    }
  }

  /** One protobuf message being written: fields in the order they are added. */
  public static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long v) {
      tag(field, 0);
      raw(v);
      return this;
    }

    Proto fixed32(int field, int v) {
      tag(field, 5);
      for (int i = 0; i < 4; i++) {
        out.write((v >>> (8 * i)) & 0xff);
      }
      return this;
    }

    Proto string(int field, String s) {
      return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, byte[] m) {
      return bytes(field, m);
    }

    Proto bytes(int field, byte[] b) {
      tag(field, 2);
      raw(b.length);
      out.writeBytes(b);
      return this;
    }

    private void tag(int field, int wireType) {
      raw(((long) field << 3) | wireType);
    }

    private void raw(long v) {
      while ((v & ~0x7fL) != 0) {
        out.write((int) ((v & 0x7f) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
