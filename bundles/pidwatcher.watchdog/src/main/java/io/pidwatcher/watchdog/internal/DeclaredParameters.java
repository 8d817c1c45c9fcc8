package io.pidwatcher.watchdog.internal;

import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.osgi.framework.Bundle;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The parameter names a strategy or policy bundle declares: the attribute ids of the Metatype
 * object class {@code pidwatcher.strategy.<name>} (or {@code pidwatcher.policy.<name>}) in the
 * bundle's {@code OSGI-INF/metatype/*.xml}, which is where bnd writes an
 * {@code @ObjectClassDefinition}. Read from the bundle's entries, so the watchdog needs no
 * Metatype service; a bundle without such a definition declares nothing and its keys are
 * not checked by name.
 */
final class DeclaredParameters {

	private DeclaredParameters() {
	}

	/** The attribute ids of object class {@code ocd} in the bundle, if the bundle defines it. */
	static Optional<Set<String>> of(Bundle bundle, String ocd) {
		Enumeration<URL> entries = bundle == null ? null : bundle.findEntries("OSGI-INF/metatype", "*.xml", false);
		while (entries != null && entries.hasMoreElements()) {
			Optional<Set<String>> found = read(entries.nextElement(), ocd);
			if (found.isPresent()) {
				return found;
			}
		}
		return Optional.empty();
	}

	static Optional<Set<String>> read(URL xml, String ocd) {
		try (InputStream in = xml.openStream()) {
			DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
			f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
			f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
			DocumentBuilder builder = f.newDocumentBuilder();
			NodeList ocds = builder.parse(in).getElementsByTagName("OCD");
			for (int i = 0; i < ocds.getLength(); i++) {
				Element e = (Element) ocds.item(i);
				if (ocd.equals(e.getAttribute("id"))) {
					Set<String> ids = new TreeSet<>();
					NodeList ads = e.getElementsByTagName("AD");
					for (int j = 0; j < ads.getLength(); j++) {
						ids.add(((Element) ads.item(j)).getAttribute("id"));
					}
					return Optional.of(Set.copyOf(ids));
				}
			}
		} catch (Exception e) {
			// a definition that does not parse declares nothing: the keys go unchecked, as without one
		}
		return Optional.empty();
	}
}
