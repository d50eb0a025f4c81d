package io.squall.web;

import java.util.List;
import java.util.Map;

/**
 * Redirects every GET (Tornado's {@code RedirectHandler}). Initialization arguments: {@code url},
 * a template where {@code {0}}, {@code {1}}... stand for the route's groups, and {@code permanent}
 * (default true: 301, else 302). The request's query string is kept.
 *
 * <pre>{@code
 * route("/old/(.*)", RedirectHandler.class, Map.of("url", "/new/{0}"))
 * }</pre>
 */
public class RedirectHandler extends RequestHandler {
  private String url;
  private boolean permanent = true;

  @Override
  protected void initialize(Map<String, Object> args) {
    url = (String) args.get("url");
    if (url == null) {
      throw new IllegalArgumentException("RedirectHandler needs a url argument");
    }
    Object p = args.get("permanent");
    if (p != null) {
      permanent = (Boolean) p;
    }
  }

  public void get() {
    String target = url;
    List<String> groups = pathArgs();
    for (int i = 0; i < groups.size(); i++) {
      target = target.replace("{" + i + "}", groups.get(i) == null ? "" : groups.get(i));
    }
    String query = request().query();
    if (!query.isEmpty()) {
      target += (target.contains("?") ? "&" : "?") + query;
    }
    redirect(target, permanent);
  }
}
