# Written as Powertools' Tracer docs teach ("Lambda handler", "Methods",
# "Asynchronous and generator functions", "Context managers", "Annotations & Metadata").
import asyncio
import contextlib

from aws_lambda_powertools import Tracer

tracer = Tracer(service="booking")


@tracer.capture_method
def confirm_booking(booking_id):
    tracer.put_annotation(key="BookingId", value=booking_id)
    tracer.put_metadata(key="booking", value={"id": booking_id})
    return {"confirmed": booking_id}


@tracer.capture_method
async def fetch_price(booking_id):
    await asyncio.sleep(0)
    return 42


@tracer.capture_method
def seats(n):
    yield from range(n)


@tracer.capture_method
@contextlib.contextmanager
def booking_lock(booking_id):
    yield f"lock-{booking_id}"


@tracer.capture_method(capture_response=False)
def fails():
    raise ValueError("no seats")


@tracer.capture_lambda_handler
def handler(event, context):
    confirm_booking(event["booking_id"])
    price = asyncio.run(fetch_price(event["booking_id"]))
    taken = list(seats(2))
    with booking_lock(event["booking_id"]) as lock:
        pass
    with contextlib.suppress(ValueError):
        fails()
    return {"price": price, "seats": taken, "lock": lock}
