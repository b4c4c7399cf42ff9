package io.mnpipe.preprocess.flink;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * How {@link ShuffleBuffer} keeps its residents in a checkpoint: a record in, the state that
 * stands for it out, and back on restore. {@link #whole} keeps the records themselves; a source that
 * can be read again (a Kafka topic) keeps a few bytes of reference per record and re-reads them
 * on restore, so the checkpoint stays small whatever the images weigh ({@link KafkaResidents}).
 *
 * @param <T> the buffered records
 * @param <S> what a checkpoint holds for one record
 */
public interface ResidentState<T, S> extends Serializable {
  TypeInformation<S> stateType();

  S toState(T record);

  /** The records {@code states} stand for, in the same order. */
  List<T> restore(List<S> states) throws Exception;

  /** The records themselves go into the checkpoint. */
  static <T> ResidentState<T, T> whole(TypeInformation<T> type) {
    return new ResidentState<>() {
      private static final long serialVersionUID = 1L;

      @Override
      public TypeInformation<T> stateType() {
        return type;
      }

      @Override
      public T toState(T record) {
        return record;
      }

      @Override
      public List<T> restore(List<T> states) {
        return states;
      }
    };
  }
}
