package dev.isthmus.nn.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without a GPU: the bound on the convolution and LSTM plan caches. */
class PlanCacheTest {
    private final List<String> freed = new ArrayList<>();
    private final List<Integer> made = new ArrayList<>();
    private final PlanCache<Integer, String> cache = new PlanCache<>(3, freed::add);

    private String plan(int shape) {
        return cache.get(shape, k -> {
            made.add(k);
            return "plan " + k;
        });
    }

    @Test
    void aShapeSeenBeforeReusesItsPlan() {
        String first = plan(1);
        assertSame(first, plan(1));
        assertEquals(List.of(1), made);
    }

    @Test
    void aNewShapePastTheCapacityFreesTheLeastRecentlyUsedPlan() {
        plan(1);
        plan(2);
        plan(3);
        plan(1); // 2 is now the least recently used
        plan(4);
        assertEquals(List.of("plan 2"), freed);
        assertEquals(3, cache.size());
        assertFalse(cache.contains(2));
        assertTrue(cache.contains(1) && cache.contains(3) && cache.contains(4));
    }

    @Test
    void manyShapesNeverHoldMoreThanTheCapacity() {
        for (int shape = 0; shape < 100; shape++) {
            plan(shape);
        }
        assertEquals(3, cache.size());
        assertEquals(97, freed.size());
        assertEquals("plan 96", freed.getLast());
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PlanCache<Integer, String>(0, p -> { }));
    }
}
