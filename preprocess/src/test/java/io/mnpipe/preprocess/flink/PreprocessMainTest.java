package io.mnpipe.preprocess.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cluster job's arguments: epochs, and flow control with retention from the trainer groups given. */
class PreprocessMainTest {
  private static final String[] BASE = {"--bootstrap", "k:9092", "--raw-topic", "raw", "--samples-topic", "s"};

  private static PreprocessMain.Args parse(String... more) {
    String[] all = new String[BASE.length + more.length];
    System.arraycopy(BASE, 0, all, 0, BASE.length);
    System.arraycopy(more, 0, all, BASE.length, more.length);
    return PreprocessMain.parse(all);
  }

  @Test
  void withoutTrainerGroupsNothingHoldsTheJobBack() {
    var a = parse();
    assertEquals(1, a.epochs);
    assertFalse(PreprocessMain.flowControl(a).enabled());
  }

  @Test
  void trainerGroupsHoldTheJobBackAndFreeWhatTheyHaveCheckpointed() {
    var a = parse("--epochs", "200", "--trainer-group", "mnpipe-trainer-a", "--trainer-group", "mnpipe-trainer-b",
        "--max-lead", "5000");
    FlowControl f = PreprocessMain.flowControl(a);
    assertEquals(List.of("mnpipe-trainer-a", "mnpipe-trainer-b"), f.trainerGroups());
    assertEquals(5000, f.maxLead());
    assertTrue(f.deleteTrained());
    assertFalse(PreprocessMain.flowControl(parse("--trainer-group", "g", "--keep-trained")).deleteTrained());
    assertEquals(FlowControl.DEFAULT_MAX_LEAD, PreprocessMain.flowControl(parse("--trainer-group", "g")).maxLead());
  }

  @Test
  void badValuesAreRefusedNamingTheOption() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--epochs", "0")).getMessage()
        .contains("--epochs"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--trainer-group", "g", "--max-lead", "0"))
        .getMessage().contains("max lead"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--shuffle-buffer", "-1")).getMessage()
        .contains("--shuffle-buffer"));
  }
}
