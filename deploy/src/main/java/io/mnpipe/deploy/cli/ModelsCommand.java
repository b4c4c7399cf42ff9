package io.mnpipe.deploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mnpipe.models.MobileNets;
import io.mnpipe.models.ModelCost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pipeline models}: the model registry in, each model's parameters and MACs per image out. */
@Command(name = "models", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Lists every model the trainer can build, with its trainable parameters and the",
        "multiply-accumulates of one image (convs and linears, counted from the built layers)."})
public final class ModelsCommand implements Callable<Integer> {
  @Option(names = "--image-size", defaultValue = "224",
      description = "Square input side for MACs (default ${DEFAULT-VALUE}).")
  int imageSize;

  @Option(names = "--classes", defaultValue = "1000", description = "Classifier width (default ${DEFAULT-VALUE}).")
  int classes;

  @Option(names = "--json", description = "Print a JSON array of {name, params, macs} instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (imageSize < 1 || classes < 1) {
      throw new IllegalArgumentException(
          "--image-size and --classes must be >= 1, got " + imageSize + " and " + classes);
    }
    List<ModelCost> costs = new ArrayList<>();
    for (String name : MobileNets.names()) {
      costs.add(MobileNets.cost(name, classes, imageSize));
    }
    if (json) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (ModelCost c : costs) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", c.name());
        row.put("params", c.params());
        row.put("macs", c.macs());
        rows.add(row);
      }
      System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
      return 0;
    }
    System.out.printf("%-24s %12s %10s   (%d classes, %dx%d)%n", "MODEL", "PARAMS", "MACs", classes, imageSize,
        imageSize);
    for (ModelCost c : costs) {
      System.out.printf("%-24s %,12d %9.1fM%n", c.name(), c.params(), c.macs() / 1e6);
    }
    return 0;
  }
}
