// Starts DynamoDB Local listening on one address only (its command line has no option for that: it
// listens on every interface). Run by local-stack.ts with Java's source-file launcher:
//   java -cp DynamoDBLocal.jar DynamoDbLocalLoopback.java <host> <DynamoDB Local options...>
// It builds the server from the options as DynamoDB Local's own main does, points the Jetty
// connector at <host> before it starts, and starts it. DynamoDB Local's telemetry is never set up.
import java.lang.reflect.Field;
import java.util.Arrays;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class DynamoDbLocalLoopback {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    DynamoDBProxyServer proxy =
        ServerRunner.createServerFromCommandLineArgs(Arrays.copyOfRange(args, 1, args.length));
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      ((ServerConnector) connector).setHost(host);
    }
    proxy.start();
  }
}
